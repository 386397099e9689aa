package cfdot

import "sync"

var (
	commandsOnce sync.Once
	commandList  []*Command
)

// commands is the command table, in upstream's alphabetical order.
func commands() []*Command {
	commandsOnce.Do(func() { commandList = buildCommands() })
	return commandList
}

func buildCommands() []*Command {
	indexFlag := Flag{Long: "index", Short: "i", Kind: intFlag, Usage: "retrieve only actual lrps for the given index"}
	return []*Command{
		{
			Name: "actual-lrp-groups", Target: targetBBSTimeout,
			Short:      `[DEPRECATED] use "actual-lrps" instead. List actual LRP groups`,
			Long:       "List actual LRP groups from the BBS",
			Deprecated: `use "actual-lrps" instead.`,
			Example:    "cfdot actual-lrp-groups --domain cf-apps",
			Flags:      []Flag{about(domainFlag, "actual lrps"), about(cellIDFlag, "actual lrps")},
			Run:        runActualLRPGroups,
		},
		{
			Name: "actual-lrp-groups-for-guid", Use: "PROCESS_GUID", Target: targetBBSTimeout,
			Short:      `[DEPRECATED] use "actual-lrps" command with the "--process-guid" flag instead. List actual LRP groups for a process guid`,
			Long:       "List actual LRP groups from the BBS for a given process guid. Process guids can be obtained by running cfdot actual-lrps",
			Deprecated: `use "actual-lrps" with the "--process-guid" flag instead.`,
			Example:    "cfdot actual-lrp-groups-for-guid my-process-guid --index 0",
			Flags:      []Flag{{Long: "index", Short: "i", Usage: "retrieve actual lrp for the given index"}},
			Run:        runActualLRPGroupsForGUID,
		},
		{
			Name: "actual-lrps", Target: targetBBSTimeout,
			Short:   "List actual LRPs",
			Long:    "List actual LRPs from the BBS",
			Example: "cfdot actual-lrps --process-guid my-process-guid --index 0 --output table",
			Flags:   []Flag{about(domainFlag, "actual lrps"), about(cellIDFlag, "actual lrps"), processGUIDFlag, indexFlag},
			Run:     runActualLRPs,
		},
		{
			Name: "cancel-task", Use: "TASK_GUID", Target: targetBBSTimeout,
			Short: "Cancel task", Long: "Cancel the specified task",
			Example: "cfdot cancel-task my-task-guid",
			Run:     runCancelTask,
		},
		{
			Name: "cell", Use: "CELL_ID", Target: targetBBSTimeout,
			Short: "Show the specified cell presence", Long: "Show the cell presence specified by the given cell id",
			Example: "cfdot cell cell-z1-0",
			Run:     runCell,
		},
		{
			Name: "cell-state", Use: "CELL_ID", Target: targetBBSTimeout,
			Short: "Show the specified cell state", Long: "Show the cell state specified by the given cell id (GET /state on the cell's rep)",
			Example: "cfdot cell-state cell-z1-0",
			Run:     runCellState,
		},
		{
			Name: "cell-states", Target: targetBBSTimeout,
			Short: "Show cell states for all cells", Long: "Show the cell state for all the cells",
			Example: "cfdot cell-states --output table",
			Run:     runCellStates,
		},
		{
			Name: "cells", Target: targetBBSTimeout,
			Short: "List registered cells", Long: "List registered cells from the BBS",
			Example: "cfdot cells --output table",
			Run:     runCells,
		},
		{
			Name: "claim-lock", Target: targetLocket,
			Short: "Claim Locket lock", Long: "Claims a Locket lock with the given key, owner, and optional value",
			Example: "cfdot claim-lock --key my-lock --owner me --ttl 30",
			Flags:   []Flag{about(keyFlag, "lock"), about(ownerFlag, "lock"), valueFlag, about(ttlFlag, "lock")},
			Run:     claimResource("lock"),
		},
		{
			Name: "claim-presence", Target: targetLocket,
			Short: "Claim Locket presence", Long: "Claims a Locket presence with the given key, owner, and optional value",
			Example: "cfdot claim-presence --key my-cell --owner me --value '{}' --ttl 30",
			Flags:   []Flag{about(keyFlag, "presence"), about(ownerFlag, "presence"), valueFlag, about(ttlFlag, "presence")},
			Run:     claimResource("presence"),
		},
		{
			Name: "create-desired-lrp", Use: "(SPEC|@FILE)", Target: targetBBSTimeout,
			Short: "Create a desired LRP",
			Long: "Create a desired LRP from the given spec. Spec can either be json encoded desired-lrp, e.g. " +
				`'{"process_guid":"some-guid"}' or a file containing json encoded desired-lrp, e.g. @/path/to/spec/file`,
			Example: `cfdot create-desired-lrp '{"process_guid":"web","domain":"cf-apps","rootfs":"preloaded:cflinuxfs4","instances":1,"action":{"run":{"path":"/bin/sleep","args":["3600"],"user":"vcap"}}}'`,
			Run:     runCreateDesiredLRP,
		},
		{
			Name: "create-task", Use: "(SPEC|@FILE)", Target: targetBBSTimeout,
			Short: "Create a Task",
			Long: "Create a Task from the given spec. Spec can either be json encoded task, e.g. " +
				`'{"task_guid":"some-guid"}' or a file containing json encoded task, e.g. @/path/to/spec/file`,
			Example: `cfdot create-task '{"task_guid":"t1","domain":"d","rootfs":"preloaded:cflinuxfs4","action":{"run":{"path":"/bin/true","user":"vcap"}}}'`,
			Run:     runCreateTask,
		},
		{
			Name: "delete-desired-lrp", Use: "PROCESS_GUID", Target: targetBBSTimeout,
			Short: "Delete a desired LRP", Long: "Delete a desired LRP with the given process guid",
			Example: "cfdot delete-desired-lrp my-process-guid",
			Run:     runDeleteDesiredLRP,
		},
		{
			Name: "delete-task", Use: "TASK_GUID", Target: targetBBSTimeout,
			Short: "Delete a Task", Long: "Delete a completed (resolving) Task with the given task guid",
			Example: "cfdot delete-task my-task-guid",
			Run:     runDeleteTask,
		},
		{
			Name: "desired-lrp", Use: "PROCESS_GUID", Target: targetBBSTimeout,
			Short: "Show the specified desired LRP", Long: "Show the desired LRP specified by the given process guid",
			Example: "cfdot desired-lrp my-process-guid",
			Run:     runDesiredLRP,
		},
		{
			Name: "desired-lrp-scheduling-infos", Target: targetBBSTimeout,
			Short: "List desired LRP scheduling infos", Long: "List desired LRP scheduling infos from the BBS",
			Example: "cfdot desired-lrp-scheduling-infos --domain cf-apps",
			Flags:   []Flag{about(domainFlag, "desired lrp scheduling infos")},
			Run:     runSchedulingInfos,
		},
		{
			Name: "desired-lrps", Target: targetBBSTimeout,
			Short: "List desired LRPs", Long: "List desired LRPs from the BBS",
			Example: "cfdot desired-lrps --domain cf-apps --output table",
			Flags:   []Flag{about(domainFlag, "desired lrps")},
			Run:     runDesiredLRPs,
		},
		{
			Name: "domains", Target: targetBBSTimeout,
			Short: "List domains", Long: "List fresh domains from the BBS",
			Example: "cfdot domains",
			Run:     runDomains,
		},
		{
			Name: "locks", Target: targetLocket,
			Short: "List Locket locks", Long: "List locks from Locket",
			Example: "cfdot locks",
			Run:     listResources("lock"),
		},
		{
			Name: "lrp-events", Target: targetBBS,
			Short: "Subscribe to BBS LRP events", Long: "Subscribe to BBS LRP events (runs until interrupted)",
			Example: "cfdot lrp-events --cell-id cell-z1-0 --exclude-actual-lrp-groups",
			Flags: []Flag{
				{Long: "cell-id", Short: "c", Usage: "retrieve only events for the given cell id"},
				{Long: "exclude-actual-lrp-groups", Short: "x", Kind: boolFlag, Usage: "exclude actual lrp group events"},
			},
			Run: runLRPEvents,
		},
		{
			Name: "presences", Target: targetLocket,
			Short: "List Locket presences", Long: "List presences (e.g. registered cells) from Locket",
			Example: "cfdot presences --output table",
			Run:     listResources("presence"),
		},
		{
			Name: "release-lock", Target: targetLocket,
			Short: "Release Locket lock", Long: "Releases a Locket lock with the given key and owner",
			Example: "cfdot release-lock --key my-lock --owner me",
			Flags:   []Flag{{Long: "key", Short: "k", Usage: "the key of the lock being released"}, about(ownerFlag, "lock")},
			Run:     runReleaseLock,
		},
		{
			Name: "retire-actual-lrp", Use: "PROCESS_GUID INDEX", Target: targetBBSTimeout,
			Short: "Retire actual LRP by index and process guid", Long: "Retire actual LRP by index and process guid",
			Example: "cfdot retire-actual-lrp my-process-guid 0",
			Run:     runRetireActualLRP,
		},
		{
			Name: "set-domain", Use: "DOMAIN", Target: targetBBSTimeout,
			Short:   "Set domain",
			Long:    "Mark a domain as fresh for ttl seconds (or a duration such as 90s), where 0 or non-specified means keep fresh permanently",
			Example: "cfdot set-domain cf-apps --ttl 120",
			Flags:   []Flag{{Long: "ttl", Short: "t", Usage: "ttl of domain (seconds, or a duration such as 2m)"}},
			Run:     runSetDomain,
		},
		{
			Name: "task", Use: "TASK_GUID", Target: targetBBSTimeout,
			Short: "Display task", Long: "Retrieve the specified task",
			Example: "cfdot task my-task-guid",
			Run:     runTask,
		},
		{
			Name: "task-events", Target: targetBBS,
			Short: "Subscribe to BBS Task events", Long: "Subscribe to BBS Task events (runs until interrupted)",
			Example: "cfdot task-events",
			Run:     runTaskEvents,
		},
		{
			Name: "tasks", Target: targetBBSTimeout,
			Short: "List tasks in BBS", Long: "List all tasks in BBS",
			Example: "cfdot tasks --domain my-domain --output table",
			Flags:   []Flag{about(domainFlag, "tasks"), about(cellIDFlag, "tasks")},
			Run:     runTasks,
		},
		{
			Name: "update-desired-lrp", Use: "PROCESS_GUID (SPEC|@FILE)", Target: targetBBSTimeout,
			Short: "Update a desired LRP",
			Long: "Update a desired LRP for a process guid with the given spec. Spec can either be json encoded update " +
				`to a desired-lrp, e.g. '{"instances":4}', or a file containing json encoded update to a desired-lrp, e.g. @/path/to/spec/file`,
			Example: `cfdot update-desired-lrp my-process-guid '{"instances":3,"annotation":"scaled"}'`,
			Run:     runUpdateDesiredLRP,
		},
	}
}
