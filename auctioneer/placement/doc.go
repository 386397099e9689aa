// Package placement is the auctioneer's decision core: given a snapshot of cell states and a
// batch of LRP and task auctions, it decides which cell gets what, and why the rest cannot be
// placed. It does no I/O and keeps no state between calls.
//
// The algorithm is upstream Diego's (code.cloudfoundry.org/auction auctionrunner: scheduler.go,
// cell.go, zone_builder.go, zone_sorter.go, sortable_auctions.go), with the same scores, the
// same filters and the same placement-error texts:
//
//   - Order: LRPs by index ascending then memory descending, tasks by memory descending; LRPs
//     with index <= 0 first, then every task, then the remaining LRPs.
//   - In-flight cap: with StartingContainerCountMaximum > 0, once the cells' starting
//     containers plus this round's placements reach it, the rest fail with
//     "waiting to start instance: reached in-flight start limit".
//   - Filters, per zone: rootfs, then volume drivers, then placement tags.
//   - LRP score (lower wins): the mean used fraction of memory (plus the cell's proxy
//     overhead), disk and containers after placement; plus StartingContainerCount times
//     StartingContainerWeight; plus 1000 per instance of the same process already on the
//     cell; plus the normalised cell index times BinPackFirstFitWeight.
//   - Zones are visited by how many instances of the process they hold, fewest first; the
//     best cell of the first zone wins, zones tied on that count are searched together.
//   - Task score: the same resource score plus 1000 per task on the cell, over every zone.
//
// Upstream leaves some orders to Go map iteration and unstable sorts. Here they are fixed, so
// a plan depends only on its input: zones are ordered by name (then stably by instance
// count), cells keep their snapshot order within a zone (CellIndex order when bin packing is
// on), auctions are sorted stably, and equal scores go to the first cell visited.
package placement
