/// Word lists shared by the generators. Short words on purpose: every byte of
/// a downstream example costs context (128 bytes in config S).
enum Vocabulary {
    struct Person: Sendable {
        let name: String
        let subject: String  // he / she
        let object: String   // him / her
        let possessive: String  // his / her
    }

    static let people: [Person] = [
        ("Ann", true), ("Ben", false), ("Cal", false), ("Dan", false), ("Eva", true),
        ("Fay", true), ("Gus", false), ("Ida", true), ("Jon", false), ("Kim", true),
        ("Leo", false), ("Mia", true), ("Ned", false), ("Ola", true), ("Pam", true),
        ("Raj", false), ("Sam", false), ("Tess", true), ("Uma", true), ("Vic", false),
        ("Wes", false), ("Zoe", true), ("Amy", true), ("Max", false),
    ].map { name, female in
        Person(name: name, subject: female ? "she" : "he", object: female ? "her" : "him",
               possessive: female ? "her" : "his")
    }

    /// Countable things: (singular, plural).
    static let things: [(String, String)] = [
        ("apple", "apples"), ("pen", "pens"), ("book", "books"), ("egg", "eggs"),
        ("card", "cards"), ("shell", "shells"), ("coin", "coins"), ("cup", "cups"),
        ("toy", "toys"), ("box", "boxes"), ("ball", "balls"), ("hat", "hats"),
        ("kite", "kites"), ("pear", "pears"), ("rock", "rocks"), ("bead", "beads"),
        ("stamp", "stamps"), ("plum", "plums"), ("cake", "cakes"), ("leaf", "leaves"),
    ]

    /// Things with a price in whole dollars at difficulty 1.
    static let goods: [(String, String)] = [
        ("pen", "pens"), ("book", "books"), ("cup", "cups"), ("toy", "toys"),
        ("hat", "hats"), ("kite", "kites"), ("ball", "balls"), ("cake", "cakes"),
        ("map", "maps"), ("lamp", "lamps"), ("bag", "bags"), ("sock", "socks"),
    ]

    static let places: [String] = [
        "park", "shop", "farm", "lake", "zoo", "school", "beach", "market",
        "garden", "library", "river", "town", "forest", "station",
    ]

    static let colors: [String] = ["red", "blue", "green", "white", "black", "yellow", "brown", "pink"]

    static let animals: [(String, String)] = [
        ("cat", "cats"), ("dog", "dogs"), ("bird", "birds"), ("cow", "cows"),
        ("duck", "ducks"), ("fish", "fish"), ("goat", "goats"), ("frog", "frogs"),
    ]

    static let verbsPast: [String] = ["saw", "found", "counted", "liked", "painted", "drew"]

    static let vehicles: [String] = ["bus", "car", "train", "bike", "boat", "truck"]
}
