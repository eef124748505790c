import Autograd
import Catch
import NeuralNetworks
import Testing

@Suite struct CatchAgentTests {
    static func smallAgent(fixedGlimpse: Bool = false, seed: UInt64 = 1) -> CatchAgent {
        var c = CatchAgentConfiguration()
        (c.glimpseHidden, c.locationHidden, c.glimpseSize, c.coreSize) = (16, 8, 24, 20)
        c.fixedGlimpse = fixedGlimpse
        return CatchAgent(c, seed: seed)
    }

    static func sampledEpisode(
        _ agent: CatchAgent, games: Int = 12, seed: UInt64 = 3
    )
        -> (Tape<Float>, CatchAgent.Episode)
    {
        let tape = Tape<Float>()
        var generator = SeededGenerator(seed: seed)
        let game = CatchGame(count: games, using: &generator)
        return (tape, agent.play(game, on: tape, policy: .sample, using: &generator))
    }

    static func gradient(_ agent: CatchAgent, _ name: String) -> [Float] {
        Array(agent.store.gradient(agent.store.parameter(named: name)!).scalars)
    }

    @Test func anEpisodeRecordsEveryMove() {
        let (_, episode) = Self.sampledEpisode(Self.smallAgent())
        #expect(episode.states.count == 24 && episode.states.last!.isOver)
        #expect(episode.locations.count == 23 && episode.locations[0].allSatisfy { $0 == 0 })
        #expect(episode.actionLogProbabilities.count == 23 && episode.baselines.count == 23)
        #expect(episode.locationSamples.count == 22)  // a location chosen after the last move is never used
        #expect(episode.rewards == (0..<12).map { episode.states.last!.isCaught($0) ? 1 : 0 })
        #expect(episode.locations.dropFirst().contains { $0.contains { $0 != 0 } })
    }

    @Test func theFixedAgentAlwaysLooksAtTheCentre() {
        let (_, episode) = Self.sampledEpisode(Self.smallAgent(fixedGlimpse: true))
        #expect(episode.locationSamples.isEmpty)
        #expect(episode.locations.allSatisfy { $0.allSatisfy { $0 == 0 } })
    }

    @Test func theSameSeedPlaysTheSameGames() {
        let agent = Self.smallAgent()
        let (_, a) = Self.sampledEpisode(agent)
        let (_, b) = Self.sampledEpisode(agent)
        let (_, c) = Self.sampledEpisode(agent, seed: 4)
        #expect(a.locations == b.locations && a.states == b.states && a.rewards == b.rewards)
        #expect(a.locations != c.locations)
    }

    /// Who gets gradient: the location net only with learned glimpses, every net from the policy,
    /// and the baseline exactly its squared error's gradient (a hand derivation on its bias).
    @Test(arguments: [false, true]) func gradientsGoWhereTheyShould(fixedGlimpse: Bool) {
        let agent = Self.smallAgent(fixedGlimpse: fixedGlimpse)
        let (tape, episode) = Self.sampledEpisode(agent)
        let (loss, _) = agent.reinforceLoss(episode, entropyWeight: 0.01)
        agent.store.zeroGradients()
        tape.backward(from: loss)
        let locationGradient = Self.gradient(agent, "location.weight")
        #expect(locationGradient.contains { $0 != 0 } == !fixedGlimpse)
        for name in ["action.weight", "core.weight_hh", "glimpse.image.weight"] {
            #expect(Self.gradient(agent, name).contains { $0 != 0 }, "\(name) got no gradient")
        }
        // d/db of mean_t mean_b (b_tb - R_b)^2 = mean_t (2 / B) sum_b (b_tb - R_b).
        let batch = Double(episode.rewards.count)
        let moves = Double(episode.baselines.count)
        var expected = 0.0
        for b in episode.baselines {
            for (value, reward) in zip(b.scalars, episode.rewards) {
                expected += 2 * Double(value - reward) / batch / moves
            }
        }
        let bias = Double(Self.gradient(agent, "baseline.bias")[0])
        #expect(
            abs(bias - expected) <= 1e-5 * max(1, abs(expected)), "baseline bias gradient \(bias), expected \(expected)"
        )
    }
}

@Suite struct CatchRetinaTests {
    /// A lone ball reads 1 in one cell at every scale: the coarse patches are sums, not means.
    @Test func aBallReadsOneAtEveryScale() {
        let sensor = CatchAgentConfiguration().sensor
        var screen = [Float](repeating: 0, count: 24 * 24)
        screen[10 * 24 + 13] = 1  // row 10, column 13: inside the 6-, 12- and 24-pixel windows at the centre
        var retina = [Float](repeating: 0, count: sensor.featureCount)
        screen.withUnsafeBufferPointer { pixels in
            retina.withUnsafeMutableBufferPointer { out in
                sensor.extract(
                    images: pixels.baseAddress!, batch: 1, height: 24, width: 24, locations: [0, 0],
                    into: out.baseAddress!)
            }
        }
        // Windows start at 9, 6 and 0; cells are 1, 2 and 4 pixels wide.
        var expected = [Float](repeating: 0, count: 108)
        expected[0 * 36 + (10 - 9) * 6 + (13 - 9)] = 1
        expected[1 * 36 + (10 - 6) / 2 * 6 + (13 - 6) / 2] = 1
        expected[2 * 36 + 10 / 4 * 6 + 13 / 4] = 1
        #expect(retina == expected)
    }
}
