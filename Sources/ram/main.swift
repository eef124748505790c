CommandLineTool.run(RootCommand.command, arguments: Array(CommandLine.arguments.dropFirst()))
