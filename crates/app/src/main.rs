fn main() {
    sockscope_app::start();
}
