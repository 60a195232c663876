print("bench-scheduler: not built yet")
