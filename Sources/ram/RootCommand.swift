/// The `ram` command: each subcommand lives in its own file; list it here to add it.
enum RootCommand {
    static let command = Command(
        name: "ram",
        summary: "Train and study the recurrent model of visual attention (Mnih et al. 2014).",
        subcommands: [
            TrainCommand.command,
            EvaluateCommand.command,
            VisualizeCommand.command,
            DataCommand.command,
            CatchCommand.command,
            SearchCommand.command,
            RunsCommand.command,
            TablesCommand.command,
        ])
}
