import Training

extension RAMConfiguration: Configurable {
    public static var blank: RAMConfiguration { RAMConfiguration(imageHeight: 1, imageWidth: 1) }

    /// Every hyperparameter, declared once: `ram train`'s flags, the ranges a checkpoint's
    /// values must lie in, the JSON keys, what a checkpoint written before a setting existed
    /// meant by its absence, and the summary. Settings without help have no flag.
    public static var settings: [Setting<RAMConfiguration>] {
        [
            Setting("image-height", \.imageHeight, in: 1...1024, help: nil),
            Setting("image-width", \.imageWidth, in: 1...1024, help: nil),
            Setting("classes", \.classes, in: 2...1000, help: nil),
            Setting("glimpses", \.glimpses, in: 1...64, help: "glimpses per image (the recipe: 6)."),
            Setting(
                "patch-size", \.patchSize, in: 1...128,
                help: "retina patch width (the recipe: 8 for 28x28 tasks, 12 otherwise)."),
            Setting(
                "scales", \.scales, in: 1...8,
                help: "patches per glimpse, each twice as wide (the recipe: 1 for 28x28, 3 for 60x60, 4 for 100x100)."),
            Setting("glimpse-hidden", \.glimpseHidden, in: 1...4096, help: nil),
            Setting("glimpse-location-hidden", \.locationHidden, in: 1...4096, help: nil, key: "locationHidden"),
            Setting("glimpse-size", \.glimpseSize, in: 1...4096, help: nil),
            Setting("core-size", \.coreSize, in: 1...4096, help: nil),
            Setting("core", \.core, help: "core network (the recipe: relu; lstm as the paper's Catch agent)."),
            Setting(
                "location-mean", \.locationMean,
                help: "the policy mean, tanh(Linear(h)) (the recipe) or Linear(h) as the paper writes it.",
                before: .linear),
            Setting(
                "location-std", \.locationStandardDeviation, in: 1e-4...2,
                help: "standard deviation of the location policy (the recipe: 0.05 for 28x28 tasks, 0.2 otherwise).",
                key: "locationStandardDeviation"),
            Setting(
                "final-location-std", \.finalLocationStandardDeviation, in: 1e-4...2,
                help:
                    "narrow the location policy linearly from --location-std to this over the run (default: no "
                    + "narrowing).",
                key: "finalLocationStandardDeviation", summary: { "narrowing to \($0)" }),
            Setting(
                "location-hidden", \.locationNetworkHidden, in: 0...4096,
                help: "hidden ReLU units in the location network (0: the paper's linear mean; the recipe: 128).",
                key: "locationNetworkHidden", before: 0
            )
            .summarized {
                $0.locationNetworkHidden > 0 ? "location net \($0.coreSize)-\($0.locationNetworkHidden)-2" : nil
            },
            Setting(
                "first-glimpse", \.randomFirstGlimpse,
                help:
                    "where training's first glimpse looks (the recipe: random; evaluation always starts at the "
                    + "centre).",
                key: "randomFirstGlimpse", before: false, summary: "random first glimpse in training",
                words: (on: "random", off: "centre")),
            Setting(
                "policy-gradient-to-core", \.locationTrainsCore,
                help: "let REINFORCE's gradient reach the core (the recipe: on for 60x60 and 100x100, off for 28x28; "
                    + "--no-policy-gradient-to-core turns it off).",
                key: "locationTrainsCore", summary: "policy gradient into the core"
            )
            .formerly("policyGradientReachesCore"),
            Setting(
                "baseline-to-core", \.baselineTrainsCore,
                help: "let the baseline's squared error reach the core (default: it trains only the baseline).",
                key: "baselineTrainsCore", summary: "baseline gradient into the core"
            )
            .formerly("policyGradientReachesCore"),
            Setting(
                "policy-gradient-weight", \.policyGradientWeight, in: 1e-6...1e3,
                help: "REINFORCE's gradient against the cross-entropy's, which matters where it reaches the core "
                    + "(the recipe: 0.3 where it does, else 1).",
                before: 1, summary: { $0 != 1 ? "policy gradient weighted \($0)" : nil }),
            Setting(
                "samples-per-image", \.samplesPerImage, in: 1...64,
                help: "training runs each image this many times, each run's REINFORCE baseline the others' mean "
                    + "reward (1: the paper's learned baseline).",
                before: 1, summary: { $0 > 1 ? "\($0) samples per image in training" : nil }),
        ]
    }
}
