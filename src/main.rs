// mimalloc: a keystroke in the language server makes and frees thousands of
// small allocations, and glibc's allocator spent a fifth of that work.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(authlint::cli::main());
}
