/// Answers a call with `status`.
pub fn take(status: tonic::Status) {
    let _ = status;
}
