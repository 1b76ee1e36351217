// hiredis's synchronous types and its asynchronous API, which the Store target drives from its
// owner's epoll loop (see Sources/Store/RedisStore.swift).
#include <hiredis/hiredis.h>
#include <hiredis/async.h>
