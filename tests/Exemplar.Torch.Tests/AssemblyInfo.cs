// Tensor tests share one libtorch runtime (thread count, default generator, live-handle counter): run them serially.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
