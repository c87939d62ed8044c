// The tests share one libtorch runtime (threads, gradient mode per thread): run them serially.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
