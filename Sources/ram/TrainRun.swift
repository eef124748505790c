import Datasets
import Distributed
import Foundation
import Imaging
import NeuralNetworks
import RecurrentAttention
import Training

/// `ram train`'s run: the library's loop over a classifier, with RAM's glimpse figures on each
/// epoch's line and its glimpses pictured.
enum TrainRun {
    static func run(
        _ specification: ModelSpecification, options: TrainingOptions, data: DatasetSplits, task: DatasetTask,
        directory: URL, resuming: Bool, log: RunLog?, timeBudget: Double?, stopStep: Int? = nil,
        target: (target: Double?, stops: Bool) = (nil, false),
        reducer: any Reducer = LocalReducer()
    ) throws {
        let model = specification.makeModel()
        let trainer = ClassifierTraining.trainer(
            for: model, options: options, data: data, task: task,
            directory: directory)
        trainer.reducer = reducer
        if let value = target.target { trainer.target = value }
        trainer.stopsAtTarget = target.stops
        if resuming { try trainer.resume() }
        try log?.attach(to: trainer)
        trainer.metadata["specification"] = CheckpointWriter.json(specification)
        let policy = (model as? RAMClassifier).flatMap { specification.randomGlimpses ? nil : $0.model }
        let validation = trainer.model.validation

        let run = LoopRun(
            trainer: trainer, log: log,
            stepDetails: { m in
                String(format: "loss %.3f acc %.1f%%", m["loss"] ?? .nan, 100 * (1 - (m["training_error"] ?? .nan)))
            },
            epochLine: { record, improved in
                String(
                    format: "epoch %d: train error %.2f%%, validation error %.2f%%%@", record.epoch,
                    100 * record.trainingError, 100 * record.validationError,
                    improved ? " (best)" : "")
                    + LoopRun<ClassifierTraining>.timing(record, sampleUnit: "images")
                    + (Evaluation.describeGlimpses(record, glimpses: specification.ram.glimpses).map { "\n  " + $0 }
                        ?? "")
            },
            curves: RunLog.learningCurves,
            picture: policy.map { ram in ({ RunLog.glimpsePicture(of: ram, on: validation) }, "glimpses") })
        try run.run(
            summary: "\(specification.summary); \(model.store.count) parameters; \(options.summary)"
                + (reducer.size > 1 ? "; \(reducer.size) processes, each taking its share of every batch" : ""),
            timeBudget: timeBudget, stopStep: stopStep, directory: directory)
    }
}
