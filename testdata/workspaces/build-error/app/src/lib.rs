/// Passes an etcd error's gRPC status on to our own gRPC layer.
pub fn forward(error: etcd_client::Error) {
    match error {
        etcd_client::Error::GRpcStatus(status) => rpc::take(status),
    }
}
