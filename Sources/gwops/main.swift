import CLI

// The `gwops` executable: the commands live in the CLI library.
await Entry.main()
