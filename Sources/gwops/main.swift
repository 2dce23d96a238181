import Console

// The `gwops` executable; everything lives in the Console library so tests and `gwops-bench`
// can use it.
await Entry.main()
