/// `ram data`: looking at the data sets.
enum DataCommand {
    static let command = Command(
        name: "data",
        summary: "Look at the data sets of the tasks.",
        subcommands: [
            DataPreviewCommand.command,
            DataInfoCommand.command,
        ])
}
