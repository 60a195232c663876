#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A NULL-terminated `char**` built from Swift strings, as `execve` wants for argv and
/// envp. The strings are `strdup`ed; `deallocate()` frees them and the array.
struct CStringArray {
    let pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    let count: Int

    init(_ strings: [String]) {
        count = strings.count
        pointer = .allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() {
            (pointer + index).initialize(to: strdup(string))
        }
        (pointer + strings.count).initialize(to: nil)
    }

    func deallocate() {
        for index in 0..<count { free(pointer[index]) }
        pointer.deinitialize(count: count + 1)
        pointer.deallocate()
    }
}
