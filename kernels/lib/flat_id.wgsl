// Flat invocation index for 1-D work folded into a 2-D grid (the host folds a workgroup count
// above maxComputeWorkgroupsPerDimension into x·y). WG is the kernel's workgroup size.
fn flat_id(wid: vec3<u32>, nwg: vec3<u32>, lid: u32, wg: u32) -> u32 {
  return (wid.x + wid.y * nwg.x) * wg + lid;
}
