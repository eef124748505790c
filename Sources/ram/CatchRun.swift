import Autograd
import Catch
import Distributed
import Foundation
import GlimpsePictures
import Imaging
import Training

/// `ram catch train`'s run: the library's loop over a Catch agent, with catch rates on each
/// epoch's line and a picture of six games.
enum CatchRun {
    static func run(
        _ configuration: CatchAgentConfiguration, options: CatchTrainingOptions, directory: URL,
        resuming: Bool, log: RunLog?, timeBudget: Double?, stopStep: Int? = nil,
        reducer: any Reducer = LocalReducer()
    ) throws {
        let trainer = CatchTraining.trainer(configuration: configuration, options: options, directory: directory)
        trainer.reducer = reducer
        if resuming { try trainer.resume() }
        try log?.attach(to: trainer)
        let agent = trainer.model.agent
        let run = LoopRun(
            trainer: trainer, log: log,
            stepDetails: { m in
                let (caught, entropy, baseline) = (
                    m["training_catch_rate"] ?? .nan, m["entropy"] ?? .nan,
                    m["baseline_error"] ?? .nan
                )
                return String(format: "caught %.1f%% entropy %.2f baseline mse %.3f", 100 * caught, entropy, baseline)
            },
            epochLine: { record, improved in
                let frames = Double(record.samples ?? 0) / 1e6
                let (training, validation) = (
                    record["training_catch_rate"] ?? .nan, record["validation_catch_rate"] ?? .nan
                )
                let line = String(
                    format: "%.2fM frames: caught %.1f%% while training, %.1f%% on validation (greedy)%@",
                    frames, 100 * training, 100 * validation, improved ? " (best)" : "")
                return line + LoopRun<CatchTraining>.timing(record, sampleUnit: "frames")
                    + ", \(ProgressReporter.clock(trainer.progress.elapsedSeconds)) elapsed"
            },
            curves: curves,
            picture: ({ games(agent) }, "games"))
        try run.run(
            summary: "Catch agent: \(CatchCommand.summary(configuration)); \(agent.store.count) parameters; "
                + "adam lr \(options.learningRate) (\(options.schedule.rawValue)), \(options.batchSize) games per "
                + "update, entropy weight \(options.entropyWeight), \(options.frames) frames, seed \(options.seed)"
                + (reducer.size > 1
                    ? "; \(reducer.size) processes, each playing its share of every update's games"
                    : ""),
            timeBudget: timeBudget, stopStep: stopStep, directory: directory)
    }

    /// The last frame of six fixed games played greedily: where the agent looked and what it caught.
    static func games(_ agent: CatchAgent) -> Image {
        var generator = SeededGenerator(seed: CatchTraining.validationSeed)
        let episode = agent.play(
            CatchGame(count: 6, using: &generator), on: Tape<Float>(), policy: .mean,
            using: &generator)
        return CatchDrawing(sensor: agent.configuration.sensor, episode: episode).frame(episode.states.count - 1)
    }

    /// Catch rates against millions of frames.
    static func curves(_ history: [EpochRecord]) -> Image {
        let frames = history.map { Double($0.samples ?? 0) / 1e6 }
        var plot = LinePlot(xRange: 0...max(0.001, frames.last ?? 1), yRange: 0...100)
        (plot.xLabel, plot.yLabel, plot.width) = ("million frames", "catch rate %", 560)
        plot.series = [
            LinePlot.Series(
                points: points(frames, history, "training_catch_rate"),
                color: Color(red: 90, green: 160, blue: 255), name: "train (sampled)"),
            LinePlot.Series(
                points: points(frames, history, "validation_catch_rate"),
                color: Color(red: 255, green: 170, blue: 60), name: "validation (greedy)"),
        ]
        return plot.image()
    }

    /// A metric in percent against `xs`, where the records hold it.
    private static func points(_ xs: [Double], _ history: [EpochRecord], _ metric: String) -> [(x: Double, y: Double)] {
        zip(xs, history).compactMap { x, record in record[metric].map { (x, 100 * $0) } }
    }
}
