/// Okabe & Ito's colour-blind-safe palette (2008), in the order series take it:
/// blue, orange, bluish green, vermillion, reddish purple, sky blue, yellow, black.
/// Yellow comes late because it is faint on white. Beyond eight series the colours repeat.
public enum Palette {
    public static let colours = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

    public static func colour(_ index: Int) -> String { colours[index % colours.count] }

    /// Fixed colours for trial states, so every plot of a report agrees: completed blue,
    /// stopped early orange, failed vermillion, timed out reddish purple, cancelled grey.
    public static let trialStates = ["completed": "#0072B2", "stopped_early": "#E69F00", "failed": "#D55E00",
                                     "timed_out": "#CC79A7", "cancelled": "#999999"]
}
