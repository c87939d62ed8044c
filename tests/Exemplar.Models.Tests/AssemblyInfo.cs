// Model tests share one libtorch runtime (threads, default generator, live-handle counter): run them serially.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
