/// A small command-line parser: nested subcommands, typed options with defaults, help at every level.
///
/// Options are written `--name value` or `--name=value`; flags are `--name`, or `--no-name` to
/// turn off a flag that a recipe turns on. Values are
/// checked while parsing, so a command's `run` reads them with typed getters that cannot
/// fail for a user's reason. Every user mistake becomes a `UsageError` whose message is one
/// line naming the option; `CommandLineTool` prints it with the usage and exits with 2.

/// One `--name` option of a command.
struct Option: Sendable {
    /// The name without dashes: `count` for `--count`.
    let name: String
    /// The placeholder in help, e.g. `<n>`; `nil` for a flag, which takes no value.
    let valueName: String?
    let help: String
    /// The value used when the option is not given; shown in help.
    let defaultValue: String?
    let isRequired: Bool
    /// Returns a one-line problem with `value` (e.g. "must be at least 1"), or `nil` if it is fine.
    let validate: @Sendable (String) -> String?

    /// A flag: present or not.
    static func flag(_ name: String, help: String) -> Option {
        Option(name: name, valueName: nil, help: help, defaultValue: nil, isRequired: false, validate: { _ in nil })
    }

    /// Any text, e.g. a path.
    static func string(
        _ name: String, valueName: String = "value", default defaultValue: String? = nil,
        isRequired: Bool = false, help: String
    ) -> Option {
        Option(
            name: name, valueName: valueName, help: help, defaultValue: defaultValue, isRequired: isRequired,
            validate: { $0.isEmpty ? "must not be empty" : nil })
    }

    /// A whole number within `range`.
    static func integer(
        _ name: String, valueName: String = "n", default defaultValue: Int? = nil,
        range: ClosedRange<Int> = Int.min...Int.max, isRequired: Bool = false, help: String
    ) -> Option {
        Option(
            name: name, valueName: valueName, help: help, defaultValue: defaultValue.map(String.init),
            isRequired: isRequired,
            validate: { text in
                guard let value = Int(text) else { return "expects a whole number, got '\(text)'" }
                return range.contains(value)
                    ? nil : "must be in \(range.lowerBound)...\(range.upperBound), got \(value)"
            })
    }

    /// A real number within `range`, e.g. a learning rate.
    static func number(
        _ name: String, valueName: String = "x", default defaultValue: Double? = nil,
        range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude,
        isRequired: Bool = false, help: String
    ) -> Option {
        Option(
            name: name, valueName: valueName, help: help, defaultValue: defaultValue.map { "\($0)" },
            isRequired: isRequired,
            validate: { text in
                guard let value = Double(text), value.isFinite else { return "expects a number, got '\(text)'" }
                return range.contains(value)
                    ? nil : "must be in \(range.lowerBound)...\(range.upperBound), got \(value)"
            })
    }

    /// One of a fixed list of words.
    static func choice(
        _ name: String, _ choices: [String], valueName: String? = nil, default defaultValue: String? = nil,
        isRequired: Bool = false, help: String
    ) -> Option {
        Option(
            name: name, valueName: valueName ?? name, help: help + " One of: " + choices.joined(separator: ", ") + ".",
            defaultValue: defaultValue,
            isRequired: isRequired,
            validate: { text in
                choices.contains(text) ? nil : "expects one of \(choices.joined(separator: ", ")), got '\(text)'"
            })
    }

    var isFlag: Bool { valueName == nil }
}

/// A command: either a group of subcommands, or a leaf with options and a `run`.
struct Command: Sendable {
    let name: String
    /// One sentence, shown in the parent's command list and atop the help.
    let summary: String
    var options: [Option] = []
    var subcommands: [Command] = []
    /// Words that are not options, e.g. `ram runs compare DIR...`: their placeholder and help;
    /// nil when the command takes none (then a stray word is a mistake).
    var operands: (name: String, help: String)? = nil
    /// What the command does; `nil` for a group, which needs a subcommand.
    var run: (@Sendable (ParsedArguments) throws -> Void)? = nil
}

/// The validated options of the command that runs.
struct ParsedArguments: Sendable {
    /// The command names from the root, e.g. `["ram", "data", "preview"]`.
    let commandPath: [String]
    let options: [Option]
    let values: [String: String]
    /// The words that were not options, in order (commands with `operands` only).
    var operands: [String] = []

    /// The text given for `name`, or its default; `nil` if neither.
    func string(_ name: String) -> String? {
        values[name] ?? declared(name).defaultValue
    }

    /// The whole number given for `name` or its default (already validated while parsing).
    func integer(_ name: String) -> Int {
        guard let text = string(name), let value = Int(text) else {
            preconditionFailure("option --\(name) has no integer value or default: a bug in its declaration")
        }
        return value
    }

    /// The real number given for `name` or its default (already validated while parsing).
    func number(_ name: String) -> Double {
        guard let text = string(name), let value = Double(text) else {
            preconditionFailure("option --\(name) has no number value or default: a bug in its declaration")
        }
        return value
    }

    /// Whether option `name` was written on the command line (as opposed to defaulted).
    func isGiven(_ name: String) -> Bool {
        _ = declared(name)
        return values[name] != nil
    }

    /// Whether flag `name` was given (and not as `--no-name`).
    func flag(_ name: String) -> Bool { flagSetting(name) ?? false }

    /// `true` for `--name`, `false` for `--no-name`, nil when neither was given.
    func flagSetting(_ name: String) -> Bool? {
        precondition(declared(name).isFlag, "option --\(name) is not a flag")
        return values[name].map { $0 != Self.negated }
    }

    /// The value a flag given as `--no-name` holds.
    static let negated = "no"

    private func declared(_ name: String) -> Option {
        guard let option = options.first(where: { $0.name == name }) else {
            preconditionFailure("option --\(name) is not declared by '\(commandPath.joined(separator: " "))'")
        }
        return option
    }
}

/// A mistake on the command line: one line of message, and the usage of the command it concerns.
struct UsageError: Error {
    let message: String
    let usage: String
}

/// `--help` or `-h` was given: print `usage` and stop successfully.
struct HelpRequest: Error {
    let usage: String
}

extension Command {
    /// Finds the command `arguments` name and validates its options.
    ///
    /// - Parameter arguments: the words after the program name.
    /// - Throws: `HelpRequest` for `--help`/`-h`, `UsageError` for any mistake.
    func parse(_ arguments: [String], path: [String] = []) throws -> (Command, ParsedArguments) {
        let path = path + [name]
        let usage = self.usage(path: path)
        func mistake(_ message: String) -> UsageError { UsageError(message: message, usage: usage) }

        if !subcommands.isEmpty {
            guard let first = arguments.first else {
                throw mistake(
                    "'\(path.joined(separator: " "))' needs a command: "
                        + "\(subcommands.map(\.name).joined(separator: ", "))"
                )
            }
            if first == "--help" || first == "-h" { throw HelpRequest(usage: usage) }
            guard let subcommand = subcommands.first(where: { $0.name == first }) else {
                throw mistake(
                    first.hasPrefix("-")
                        ? "unknown option \(first) for '\(path.joined(separator: " "))'"
                        : "unknown command '\(first)' for '\(path.joined(separator: " "))'")
            }
            return try subcommand.parse(Array(arguments.dropFirst()), path: path)
        }

        // Help wins over any mistake next to it: someone asking for help has not finished typing.
        if arguments.contains(where: { $0 == "--help" || $0 == "-h" }) { throw HelpRequest(usage: usage) }
        var values: [String: String] = [:]
        var operands: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            guard word.hasPrefix("--"), word.count > 2 else {
                guard self.operands != nil, !word.hasPrefix("-") else {
                    throw mistake("unexpected argument '\(word)' (options start with --)")
                }
                operands.append(word)
                continue
            }
            let body = word.dropFirst(2)
            var name = String(body.prefix { $0 != "=" })
            let inlineValue = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
            // `--no-name` turns flag `name` off, unless an option is itself called that.
            let negation =
                name.hasPrefix("no-") && !options.contains { $0.name == name }
                && options.contains { $0.name == name.dropFirst(3) && $0.isFlag }
            if negation { name.removeFirst(3) }
            guard let option = options.first(where: { $0.name == name }) else {
                throw mistake("unknown option --\(name)")
            }
            guard values[name] == nil else { throw mistake("option --\(name) is given more than once") }
            if option.isFlag {
                guard inlineValue == nil else { throw mistake("flag --\(negation ? "no-" : "")\(name) takes no value") }
                values[name] = negation ? ParsedArguments.negated : ""
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.count, !arguments[index].hasPrefix("--") else {
                    throw mistake("option --\(name) needs a value <\(option.valueName!)>")
                }
                value = arguments[index]
                index += 1
            }
            if let problem = option.validate(value) { throw mistake("option --\(name) \(problem)") }
            values[name] = value
        }
        for option in options where option.isRequired && values[option.name] == nil {
            throw mistake("missing required option --\(option.name) <\(option.valueName!)>")
        }
        if let expected = self.operands, operands.isEmpty { throw mistake("missing \(expected.name)...") }
        return (self, ParsedArguments(commandPath: path, options: options, values: values, operands: operands))
    }

    /// The help text: usage line, summary, and the options or subcommands with their defaults.
    func usage(path: [String]) -> String {
        let invocation = path.joined(separator: " ")
        var lines: [String] = []
        if !subcommands.isEmpty {
            lines.append("Usage: \(invocation) <command> [options]")
            lines.append("")
            lines.append(summary)
            lines.append("")
            lines.append("Commands:")
            let width = subcommands.map(\.name.count).max() ?? 0
            for command in subcommands {
                lines.append("  " + command.name.padding(width) + "  " + command.summary)
            }
            lines.append("")
            lines.append("Run '\(invocation) <command> --help' for a command's options.")
            return lines.joined(separator: "\n")
        }
        let required = options.filter(\.isRequired).map { "--\($0.name) <\($0.valueName!)>" }
        lines.append(
            (["Usage: \(invocation)"] + required + (options.contains { !$0.isRequired } ? ["[options]"] : [])
                + (operands.map { ["<\($0.name)>..."] } ?? []))
                .joined(separator: " "))
        lines.append("")
        lines.append(summary)
        lines.append("")
        if let operands { lines += ["  <\(operands.name)>...  \(operands.help)", ""] }
        lines.append("Options:")
        let all = options + [Option.flag("help", help: "Show this help.")]
        let labels = all.map { option in
            (option.name == "help" ? "-h, " : "") + "--\(option.name)"
                + (option.isFlag ? "" : " <\(option.valueName!)>")
        }
        // Long labels would push every description far right: those get theirs on the next line.
        let width = min(labels.map(\.count).max() ?? 0, 24)
        for (label, option) in zip(labels, all) {
            var text = option.help
            if option.isRequired { text += " (required)" }
            if let value = option.defaultValue { text += " (default: \(value))" }
            if label.count > width {
                lines.append("  " + label)
                lines.append("  " + "".padding(width) + "  " + text)
            } else {
                lines.append("  " + label.padding(width) + "  " + text)
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// The string followed by spaces up to `width` characters.
    fileprivate func padding(_ width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - count))
    }
}
