import Training

extension Setting {
    /// The setting's flag, with its range or choices and `prefix` before its help; nil for a
    /// setting with no flag.
    func option(helpPrefix prefix: String) -> Option? {
        guard let help else { return nil }
        if isFlag { return .flag(flag, help: prefix + help) }
        if let choices { return .choice(flag, choices, help: prefix + help) }
        let range = range!
        return isInteger
            ? .integer(flag, range: Int(range.lowerBound)...Int(range.upperBound), help: prefix + help)
            : .number(flag, range: range, help: prefix + help)
    }

    /// Sets the value the command line gives, if it gives one (`--no-<flag>` turns a flag off).
    func apply(_ arguments: ParsedArguments, to root: inout Root) {
        guard help != nil else { return }
        if isFlag {
            if let on = arguments.flagSetting(flag) { set(on ? "on" : "off", in: &root) }
        } else if arguments.isGiven(flag) {
            set(arguments.string(flag)!, in: &root)
        }
    }

    /// What a resumed run compares: the value the flags give against the saved one.
    func comparison(fresh: Root, saved: Root) -> ResumeCheck.Setting? {
        help == nil ? nil : (flag, text(of: fresh), text(of: saved))
    }
}
