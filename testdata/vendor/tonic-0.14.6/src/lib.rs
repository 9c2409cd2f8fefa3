/// The status of a gRPC call.
#[derive(Debug)]
pub struct Status;
