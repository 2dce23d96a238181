import CLI

// `gwops-demo`: the demo and the simulated platform; never part of the shipped `gwops`.
await Entry.main(GwopsDemo.self)
