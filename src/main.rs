fn main() {
    std::process::exit(authlint::cli::main());
}
