const key = "AIzaeFGzmGpLg-vJnQmG_9HyA8aLKGG94bv9-2J";
