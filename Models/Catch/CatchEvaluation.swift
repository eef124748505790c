import Autograd
import Distributed

/// Catch rates over a fixed set of games: the same seed deals the same games to every agent.
public enum CatchEvaluation {
    /// Games played at once; bounds the tape's memory.
    public static let chunk = 100

    /// The fraction of `episodes` games the agent catches.
    /// `sampling` drives the sampled policy; the mean one draws nothing. `sharedWith` deals
    /// the chunks of games round the processes of a data-parallel run and adds up the catches.
    public static func catchRate(
        of agent: CatchAgent, policy: CatchAgent.Policy, episodes: Int, seed: UInt64,
        sampling: inout SeededGenerator, sharedWith reducer: (any Reducer)? = nil
    ) -> Double {
        let tape = Tape<Float>()
        var caught = [0.0]
        var chunk = 0
        forEachChunk(episodes: episodes, seed: seed) { games in
            defer { chunk += 1 }
            if let reducer, chunk % reducer.size != reducer.rank { return }
            tape.reset()
            caught[0] += Double(agent.play(games, on: tape, policy: policy, using: &sampling).rewards.reduce(0, +))
        }
        if let reducer { caught = reducer.sum(caught) }
        return caught[0] / Double(episodes)
    }

    /// The fraction caught by an agent that moves uniformly at random, on the same games.
    public static func randomCatchRate(episodes: Int, seed: UInt64) -> Double {
        var caught = 0.0
        var generator = SeededGenerator(seed: seed).derived(1)
        forEachChunk(episodes: episodes, seed: seed) { games in
            var games = games
            while !games.isOver {
                games.play((0..<games.count).map { _ in CatchGame.Action(rawValue: Int(generator.next() % 3))! })
            }
            caught += Double(games.rewards.reduce(0, +))
        }
        return caught / Double(episodes)
    }

    /// The standard error of a rate measured on `n` games.
    public static func standardError(_ rate: Double, _ n: Int) -> Double {
        (rate * (1 - rate) / Double(n)).squareRoot()
    }

    /// Deals the games in chunks; the games depend only on `seed`, not on what the agent draws.
    private static func forEachChunk(episodes: Int, seed: UInt64, _ body: (CatchGame) -> Void) {
        var dealer = SeededGenerator(seed: seed)
        for start in stride(from: 0, to: episodes, by: chunk) {
            body(CatchGame(count: min(chunk, episodes - start), using: &dealer))
        }
    }
}
