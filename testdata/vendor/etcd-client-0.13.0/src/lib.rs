/// An etcd client error.
#[derive(Debug)]
pub enum Error {
    /// A gRPC call failed.
    GRpcStatus(tonic::Status),
}
