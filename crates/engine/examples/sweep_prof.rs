use sockscope_engine::experiment::{sweep_buffers, CostModel};
fn main() {
    let sizes: Vec<u64> = (0..32).map(|i| (1024.0 * 1024f64.powf(i as f64 / 31.0)).round() as u64).collect();
    for _ in 0..5 {
        let t = std::time::Instant::now();
        let p = sweep_buffers(10_000_000, &sizes, &CostModel::default()).unwrap();
        println!("{:.1} ms {}", t.elapsed().as_secs_f64()*1e3, p.len());
    }
}
