fn main() {
    std::process::exit(nhilint::cli::main());
}
