// tonic-build 0.14 moved prost code generation to tonic-prost-build: this call must change.
fn main() {
    tonic_build::compile_protos("proto/echo.proto").expect("generated");
}
