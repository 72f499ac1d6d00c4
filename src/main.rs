// mimalloc: a keystroke in the language server makes and frees thousands of
// small allocations. glibc's malloc, free and realloc were a fifth of its
// instructions, and mimalloc cut the time to deliver its diagnostics by
// about a quarter (docs/lsp.md#latency).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(authlint::cli::main());
}
