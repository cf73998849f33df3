const client = new Anthropic({ apiKey: "sk-ant-api03-i996Z3cypUOAF3MP8onl3CEl3DHa0gdC3vTdw32WoKxoDmB8UB0MmAMegKcLHwLvp6W_umramSGBe3J9sQbrhurT8VvUDAA" });
