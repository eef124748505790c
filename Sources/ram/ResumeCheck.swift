/// `--resume` continues a run with its saved settings: a flag given again with another value
/// would be silently ignored, so it is refused instead, naming the flag and the saved value.
enum ResumeCheck {
    /// One setting a flag sets: the value the flags give and the value the run was saved with.
    typealias Setting = (flag: String, given: String, saved: String)

    static func refuseChanges(_ settings: [Setting], _ arguments: ParsedArguments, directory: String) throws {
        let changed = settings.filter { arguments.isGiven($0.flag) && $0.given != $0.saved }
            .map { "--\($0.flag) \($0.given) (the run has \($0.saved))" }
        guard changed.isEmpty else {
            throw CommandFailure(
                description: "--resume continues the run in \(directory) with its saved settings, "
                    + "which \(changed.joined(separator: ", ")) would change; drop those flags, or train into "
                    + "another --checkpoint-dir"
            )
        }
    }

    /// How a flag's presence reads in a message.
    static func onOff(_ value: Bool) -> String { value ? "on" : "off" }
}
