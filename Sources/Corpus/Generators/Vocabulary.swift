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

/// English number words, for the base corpus.
enum NumberWords {
    private static let ones = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
        "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
        "seventeen", "eighteen", "nineteen",
    ]
    private static let tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

    /// Words for 0 ≤ n < 1,000,000 ("three hundred forty-two").
    static func words(_ n: Int) -> String {
        precondition(n >= 0 && n < 1_000_000, "number words cover 0..<1,000,000")
        if n < 20 { return ones[n] }
        if n < 100 {
            let t = tens[n / 10]
            return n % 10 == 0 ? t : t + "-" + ones[n % 10]
        }
        if n < 1000 {
            let head = ones[n / 100] + " hundred"
            return n % 100 == 0 ? head : head + " " + words(n % 100)
        }
        let head = words(n / 1000) + " thousand"
        return n % 1000 == 0 ? head : head + " " + words(n % 1000)
    }
}

/// Difficulty is an integer level 1...5; each generator maps it to number
/// sizes and step counts. Level 1 is the default for the downstream task.
public enum Difficulty {
    public static let levels: ClosedRange<Int> = 1...5

    /// Largest "ordinary" operand at a level: 20, 100, 1000, 10000, 100000.
    static func maxOperand(_ level: Int) -> Int {
        switch level {
        case ...1: return 20
        case 2: return 100
        case 3: return 1000
        case 4: return 10_000
        default: return 100_000
        }
    }

    /// Largest factor in a product at a level: 10, 12, 25, 50, 100.
    static func maxFactor(_ level: Int) -> Int {
        switch level {
        case ...1: return 10
        case 2: return 12
        case 3: return 25
        case 4: return 50
        default: return 100
        }
    }
}
