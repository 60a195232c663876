import EventLoop
/// The batch script vsweep submits for one trial: it only `exec`s the engine's argv.
///
/// Slurm runs batch scripts through a shell, so each argument is single-quoted (a `'`
/// inside becomes `'\''`): the shell then passes every byte through unchanged and
/// expands nothing. The environment is not written here: sbatch is started with the
/// trial's environment and `--export=ALL`, which hands it to the job.
public enum SlurmJobScript {
    public static func render(argv: [String]) -> String {
        "#!/bin/sh\n# written by vsweep: runs one trial attempt\nexec " + argv.map(quote).joined(separator: " ") + "\n"
    }

    /// `text` as one single-quoted shell word.
    public static func quote(_ text: String) -> String {
        // By scalar, not Character: a quote followed by a combining mark is one
        // Character, and it must still be escaped.
        var word = String.UnicodeScalarView()
        word.append("'")
        for scalar in text.unicodeScalars {
            if scalar == "'" { word.append(contentsOf: "'\\''".unicodeScalars) } else { word.append(scalar) }
        }
        word.append("'")
        return String(word)
    }
}
