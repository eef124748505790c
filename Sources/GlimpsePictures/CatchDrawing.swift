import Catch
import Imaging
import RecurrentAttention

/// Draws a batch of Catch games, one frame per move: each screen scaled up, the ball's trail,
/// the paddle, the glimpse's boxes (finest scale brightest), the move number, and at the end
/// a green frame around each game caught and a red one around each missed.
public struct CatchDrawing {
    public let sensor: GlimpseSensor
    public let episode: CatchAgent.Episode

    public init(sensor: GlimpseSensor, episode: CatchAgent.Episode) {
        (self.sensor, self.episode) = (sensor, episode)
    }

    static let scale = 8
    static let boxColors = [
        Color(red: 255, green: 220, blue: 40), Color(red: 255, green: 140, blue: 30),
        Color(red: 200, green: 60, blue: 60),
    ]

    /// The picture after `move` moves (0 is the start; `CatchGame.moves` the end).
    public func frame(_ move: Int) -> Image {
        let size = CatchGame.size
        let s = Self.scale
        let margin = 14
        let labelHeight = 22
        let games = episode.rewards.count
        let cellWidth = size * s + margin
        let cellHeight = size * s + labelHeight + margin
        var picture = Image(width: games * cellWidth + margin, height: cellHeight + margin, background: Color(gray: 60))
        let state = episode.states[move]
        for i in 0..<games {
            let x0 = margin + i * cellWidth
            let y0 = margin
            picture.fill(Rectangle(x: x0, y: y0, width: size * s, height: size * s), color: Color(gray: 10))
            for t in 0..<move {  // the trail of the ball so far
                let past = episode.states[t]
                picture.fill(
                    Rectangle(
                        x: x0 + past.ballColumns[i] * s + s / 4, y: y0 + t * s + s / 4, width: s / 2, height: s / 2),
                    color: Color(gray: 70))
            }
            picture.fill(
                Rectangle(
                    x: x0 + state.paddleColumns[i] * s, y: y0 + (size - 1) * s,
                    width: CatchGame.paddleWidth * s, height: s), color: Color(red: 90, green: 170, blue: 255))
            picture.fill(
                Rectangle(x: x0 + state.ballColumns[i] * s, y: y0 + state.ballRow * s, width: s, height: s),
                color: .white)
            if move < episode.locations.count {
                picture.strokeGlimpse(
                    sensor, x: episode.locations[move][2 * i], y: episode.locations[move][2 * i + 1],
                    height: size, width: size, origin: (x0, y0), scale: s, clipped: true,
                    color: { Self.boxColors[min($0, Self.boxColors.count - 1)] }, thickness: { $0 == 0 ? 2 : 1 })
            } else {  // the outcome: a green frame for a catch, red for a miss
                picture.stroke(
                    Rectangle(x: x0 - 4, y: y0 - 4, width: size * s + 8, height: size * s + 8),
                    color: episode.rewards[i] == 1 ? .green : .red, thickness: 4)
            }
            _ = picture.draw(text: "\(move)/\(CatchGame.moves)", atX: x0, y: y0 + size * s + 6, scale: 2, color: .gray)
        }
        return picture
    }
}
