import CLibUV

/// `uv_spawn` of `command` in its own session and process group (detached), stdin
/// ignored, stdout and stderr as `stdout`/`stderr` describe: the one place both kinds of
/// child (`ChildProcess`, pipes; `FileOutputChild`, files) build argv, environment and
/// working directory for libuv. Returns libuv's status.
func spawnDetached(loop: Loop, process: UnsafeMutablePointer<uv_process_t>, command: Command,
                   stdout: uv_stdio_container_t, stderr: uv_stdio_container_t, onExit: uv_exit_cb) -> Int32 {
    let argv = CStringArray(command.argv)
    let environment = CStringArray(command.environmentStrings)
    defer {
        argv.deallocate()
        environment.deallocate()
    }
    var stdio = [uv_stdio_container_t](repeating: uv_stdio_container_t(), count: 3)
    stdio[0].flags = UV_IGNORE
    stdio[1] = stdout
    stdio[2] = stderr
    return command.program.withCString { file in
        withOptionalCString(command.workingDirectory) { cwd in
            stdio.withUnsafeMutableBufferPointer { stdioBuffer in
                var options = uv_process_options_t()
                options.exit_cb = onExit
                options.file = file
                options.args = argv.pointer
                options.env = environment.pointer
                options.cwd = cwd
                options.flags = UV_PROCESS_DETACHED.rawValue
                options.stdio_count = 3
                options.stdio = stdioBuffer.baseAddress
                return uv_spawn(loop.raw, process, &options)
            }
        }
    }
}

private func withOptionalCString<Result>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> Result) -> Result {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}
