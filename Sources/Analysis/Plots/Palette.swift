/// Okabe & Ito's colour-blind-safe palette (2008), in the order series take it:
/// blue, orange, bluish green, vermillion, reddish purple, sky blue, yellow, black.
/// Yellow comes late because it is faint on white. Beyond eight series the colours repeat.
public enum Palette {
    public static let colours = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

    public static func colour(_ index: Int) -> String { colours[index % colours.count] }
}
