#define _GNU_SOURCE
#include <stddef.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include "CDatagram.h"

_Static_assert(sizeof(struct cdns_mmsghdr) == sizeof(struct mmsghdr), "mmsghdr layout");
_Static_assert(offsetof(struct cdns_mmsghdr, msg_len) == offsetof(struct mmsghdr, msg_len), "mmsghdr layout");

int cdns_recvmmsg(int fd, struct cdns_mmsghdr *messages, unsigned int count, int flags) {
    return recvmmsg(fd, (struct mmsghdr *)messages, count, flags, NULL);
}

int cdns_sendmmsg(int fd, struct cdns_mmsghdr *messages, unsigned int count, int flags) {
    return sendmmsg(fd, (struct mmsghdr *)messages, count, flags);
}

int cdns_eventfd(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}
