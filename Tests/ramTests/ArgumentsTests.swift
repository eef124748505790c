import Testing

@testable import ram

@Suite struct ArgumentsTests {
    let leaf = Command(
        name: "train", summary: "Train a model.",
        options: [
            .choice("task", ["mnist", "translated"], isRequired: true, help: "Task."),
            .integer("epochs", default: 10, range: 1...1000, help: "Epochs."),
            .number("learning-rate", default: 0.001, range: 0...1, help: "Step size."),
            .string("output", valueName: "dir", help: "Where to write."),
            .flag("verbose", help: "Talk more."),
        ],
        run: { _ in })
    var root: Command {
        Command(
            name: "ram", summary: "Root.",
            subcommands: [Command(name: "model", summary: "Models.", subcommands: [leaf])])
    }

    func parse(_ words: [String]) throws -> ParsedArguments { try root.parse(words).1 }

    func usageError(_ words: [String]) -> String? {
        do {
            _ = try parse(words)
            return nil
        } catch let error as UsageError { return error.message } catch { return "\(error)" }
    }

    @Test func spaceAndEqualsFormsAndDefaults() throws {
        let a = try parse(["model", "train", "--task", "translated", "--epochs=3", "--verbose"])
        #expect(a.commandPath == ["ram", "model", "train"])
        #expect(a.string("task") == "translated")
        #expect(a.integer("epochs") == 3)
        #expect(a.number("learning-rate") == 0.001)
        #expect(a.string("output") == nil)
        #expect(a.flag("verbose"))
        let b = try parse(["model", "train", "--task=mnist", "--learning-rate", "0.5", "--output", "runs/x"])
        #expect(b.integer("epochs") == 10 && b.number("learning-rate") == 0.5 && !b.flag("verbose"))
        #expect(b.string("output") == "runs/x")
    }

    @Test func negativeNumbersAreValues() throws {
        let withNegative = Command(name: "x", summary: "", options: [.integer("offset", help: "")], run: { _ in })
        #expect(try withNegative.parse(["--offset", "-3"]).1.integer("offset") == -3)
    }

    @Test(arguments: [
        (["model", "train"], "missing required option --task <task>"),
        (["model", "train", "--task", "cifar"], "option --task expects one of mnist, translated, got 'cifar'"),
        (
            ["model", "train", "--task", "mnist", "--epochs", "ten"],
            "option --epochs expects a whole number, got 'ten'"
        ),
        (["model", "train", "--task", "mnist", "--epochs=0"], "option --epochs must be in 1...1000, got 0"),
        (
            ["model", "train", "--task", "mnist", "--learning-rate", "2"],
            "option --learning-rate must be in 0.0...1.0, got 2.0"
        ),
        (["model", "train", "--task", "mnist", "--epochs"], "option --epochs needs a value <n>"),
        (["model", "train", "--task", "mnist", "--epochs", "--verbose"], "option --epochs needs a value <n>"),
        (["model", "train", "--task", "mnist", "--bogus", "1"], "unknown option --bogus"),
        (["model", "train", "--task", "mnist", "--verbose=yes"], "flag --verbose takes no value"),
        (["model", "train", "--task", "mnist", "--task", "mnist"], "option --task is given more than once"),
        (["model", "train", "--task", "mnist", "stray"], "unexpected argument 'stray' (options start with --)"),
        (["model", "fly"], "unknown command 'fly' for 'ram model'"),
        (["model"], "'ram model' needs a command: train"),
        (["--bogus"], "unknown option --bogus for 'ram'"),
    ])
    func mistakesGiveOneLineNamingTheProblem(words: [String], message: String) {
        let error = usageError(words)
        #expect(error == message)
        #expect(error?.contains("\n") == false)
    }

    @Test(arguments: [
        ["--help"], ["-h"], ["model", "-h"], ["model", "train", "--help"], ["model", "train", "--task", "bad", "-h"],
    ])
    func helpAtEveryLevel(words: [String]) {
        #expect(throws: HelpRequest.self) { try parse(words) }
    }

    @Test func helpShowsDefaultsAndRequiredOptions() throws {
        let usage = leaf.usage(path: ["ram", "model", "train"])
        #expect(usage.hasPrefix("Usage: ram model train --task <task> [options]"))
        #expect(usage.contains("(default: 10)"))
        #expect(usage.contains("(required)"))
        #expect(usage.contains("-h, --help"))
        let groupUsage = root.usage(path: ["ram"])
        #expect(groupUsage.contains("model") && groupUsage.contains("Models."))
    }

    @Test func usageErrorExitsWithStatus2() async {
        await #expect(processExitsWith: .exitCode(2)) {
            CommandLineTool.run(
                RootCommand.command, arguments: ["data", "preview", "--task", "nope", "--output", "x.png"])
        }
    }

    @Test func missingDataExitsWithStatus1() async {
        await #expect(processExitsWith: .exitCode(1)) {
            CommandLineTool.run(
                RootCommand.command,
                arguments: ["data", "preview", "--task", "mnist", "--data-dir", "/no/such", "--output", "/tmp/x.png"])
        }
    }

    @Test func helpExitsWithStatus0() async {
        await #expect(processExitsWith: .success) {
            CommandLineTool.run(RootCommand.command, arguments: ["data", "preview", "--help"])
        }
    }
}
