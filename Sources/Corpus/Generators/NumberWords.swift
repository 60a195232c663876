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
