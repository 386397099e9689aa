package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"code.cloudfoundry.org/garden"
	gardenclient "code.cloudfoundry.org/garden/client"
	"code.cloudfoundry.org/garden/client/connection"
	"code.cloudfoundry.org/lager/v3"
	"github.com/google/uuid"
	"github.com/tedsuo/ifrit"

	bbsclient "github.com/godiego/diego/bbs/client"
	"github.com/godiego/diego/executor"
	"github.com/godiego/diego/executor/applog"
	"github.com/godiego/diego/executor/cache"
	"github.com/godiego/diego/executor/containermetrics"
	"github.com/godiego/diego/executor/credentials"
	"github.com/godiego/diego/executor/depot"
	"github.com/godiego/diego/executor/gardenhealth"
	"github.com/godiego/diego/executor/transformer"
	"github.com/godiego/diego/internal/daemon"
	"github.com/godiego/diego/internal/debugserver"
	"github.com/godiego/diego/internal/logging"
	"github.com/godiego/diego/internal/tlsconf"
	locketclient "github.com/godiego/diego/locket/client"
	"github.com/godiego/diego/proto/locketmodels"
	"github.com/godiego/diego/rep"
	repconfig "github.com/godiego/diego/rep/config"
	"github.com/godiego/diego/rep/evacuation"
	"github.com/godiego/diego/rep/handlers"
	"github.com/godiego/diego/rep/harmonizer"
)

func run(cfg repconfig.Config) int {
	logger, sink := logging.New("rep", cfg.LagerConfig)
	daemon.NoteUnusedKeys(logger, &cfg)
	members, err := wire(cfg, logger)
	if err != nil {
		logger.Error("failed-to-start", err)
		return daemon.ExitFailed
	}
	if cfg.DebugAddress != "" {
		members = append([]daemon.Member{{Name: "debug-server", Runner: debugserver.Runner(cfg.DebugAddress, sink, nil)}}, members...)
	}
	return daemon.Run(logger, members)
}

// ctxRunner adapts a blocking func(ctx) to an ifrit runner that is ready at once.
func ctxRunner(f func(ctx context.Context) error) ifrit.Runner {
	return ifrit.RunFunc(func(signals <-chan os.Signal, ready chan<- struct{}) error {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- f(ctx) }()
		close(ready)
		select {
		case <-signals:
			cancel()
			return <-done
		case err := <-done:
			return err
		}
	})
}

func wire(cfg repconfig.Config, logger lager.Logger) ([]daemon.Member, error) {
	g := gardenclient.New(connection.New(cfg.GardenNetwork, cfg.GardenAddr))
	if err := waitForGarden(g, logger); err != nil {
		return nil, err
	}
	total, err := capacity(cfg, g)
	if err != nil {
		return nil, err
	}
	logger.Info("capacity", lager.Data{"memory_mb": total.MemoryMB, "disk_mb": total.DiskMB, "containers": total.Containers})

	downloads, err := cache.New(cache.Config{Dir: cfg.CachePath, MaxBytes: int64(cfg.MaxCacheSizeInBytes),
		MaxConcurrentDownloads: cfg.MaxConcurrentDownloads, Client: &http.Client{Timeout: 10 * time.Minute,
			Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: cfg.SkipCertVerify}}}})
	if err != nil {
		return nil, err
	}
	appSink, agent, err := appLogSink(cfg, logger)
	if err != nil {
		return nil, err
	}
	stacks := cfg.PreloadedRootFS.StackPathMap()
	sidecarImage := ""
	if len(cfg.PreloadedRootFS) > 0 {
		sidecarImage = cfg.PreloadedRootFS[0].Path
	}
	creds, err := instanceIdentity(cfg, logger)
	if err != nil {
		return nil, err
	}
	var postSetup []string
	if cfg.PostSetupHook != "" {
		postSetup = strings.Fields(cfg.PostSetupHook)
	}
	exec := depot.New(depot.Config{
		CellID: cfg.CellID, OwnerName: cfg.ContainerOwnerName, Total: total,
		ReservedExpirationTime: cfg.ReservedExpirationTime.D(), ContainerReapInterval: cfg.ContainerReapInterval.D(),
		CreateWorkPoolSize: cfg.CreateWorkPoolSize, Cache: downloads,
		DeclarativeHealthcheckPath: cfg.DeclarativeHealthcheckPath, TrustedSystemCertificatesPath: cfg.TrustedSystemCertificatesPath,
		ContainerInodeLimit: cfg.ContainerInodeLimit, ContainerMaxCPUShares: cfg.ContainerMaxCpuShares, SetCPUWeight: cfg.SetCPUWeight,
		Credentials: creds, Sink: appSink, Logger: logger,
		Steps: transformer.Config{
			Fetcher: downloads, DownloadLimit: make(chan struct{}, max(cfg.MaxConcurrentDownloads, 1)),
			GracefulShutdownInterval:  cfg.GracefulShutdownInterval.D(),
			HealthyMonitoringInterval: cfg.HealthyMonitoringInterval.D(), UnhealthyMonitoringInterval: cfg.UnhealthyMonitoringInterval.D(),
			DeclarativeHealthcheck: cfg.EnableDeclarativeHealthcheck, SidecarImage: sidecarImage,
			PostSetupHook: postSetup, PostSetupUser: cfg.PostSetupUser,
		},
	}, g)
	if err := exec.DestroyLeftovers(); err != nil {
		return nil, err
	}

	bbsTLS, err := bbsTLSConfig(cfg)
	if err != nil {
		return nil, err
	}
	bbs, err := bbsclient.New(bbsclient.Config{URL: cfg.BBSAddress, TLS: bbsTLS, Timeout: cfg.CommunicationTimeout.D()})
	if err != nil {
		return nil, err
	}

	repURL, err := rep.RepURL(cfg.CellID, cfg.AdvertiseDomain, cfg.ListenAddrSecurable)
	if err != nil {
		return nil, err
	}
	repAddress, err := rep.RepAddress(cfg.ListenAddr)
	if err != nil {
		return nil, err
	}
	flag := &rep.Evacuation{}
	cellRep := &rep.CellRep{CellID: cfg.CellID, CellIndex: cfg.CellIndex, RepURL: repURL, Zone: cfg.Zone, Stacks: stacks,
		SupportedProviders: cfg.SupportedProviders, PlacementTags: cfg.PlacementTags, OptionalPlacementTags: cfg.OptionalPlacementTags,
		Executor: exec, Evacuation: flag, NewInstanceGuid: uuid.NewString}
	harm := harmonizer.New(harmonizer.Config{CellID: cfg.CellID, Zone: cfg.Zone, PreferInstanceAddress: cfg.AdvertisePreferenceForInstanceAddress,
		PollingInterval: cfg.PollingInterval.D(), EvacuationPollingInterval: cfg.EvacuationPollingInterval.D(),
		Executor: exec, BBS: bbs, Evacuation: flag, Sink: appSink, Logger: logger})
	evac := &evacuation.Evacuator{CellID: cfg.CellID, Flag: flag, Executor: exec, BBS: bbs, Sync: harm,
		Timeout: cfg.EvacuationTimeout.D(), PollingInterval: cfg.EvacuationPollingInterval.D(),
		GracefulShutdownInterval: cfg.GracefulShutdownInterval.D(), Sink: appSink, Logger: logger.Session("evacuation")}
	// The reporter samples container metrics for /container_metrics and, with
	// a loggregator agent, sends them on.
	reporter := &containermetrics.Reporter{Source: exec, Interval: cfg.ContainerMetricsReportInterval.D(),
		Logger: logger.Session("container-metrics")}
	if agent != nil {
		reporter.Emitter = agent
	}
	srv := &handlers.Server{Rep: cellRep, Executor: exec, Evacuate: evac.Trigger, Logger: logger.Session("handlers"), CPU: reporter}

	cert, key := cfg.ServerCertAndKey()
	serverTLS, err := tlsconf.Server(cert, key, cfg.CaCertFile)
	if err != nil {
		return nil, fmt.Errorf("rep server TLS: %w", err)
	}

	health := &gardenhealth.Checker{Config: gardenhealth.Config{Interval: cfg.GardenHealthcheckInterval.D(), Timeout: cfg.GardenHealthcheckTimeout.D(),
		OwnerName: cfg.HealthCheckContainerOwnerName, RootFS: sidecarImage, Path: cfg.GardenHealthcheckProcessPath,
		Args: cfg.GardenHealthcheckProcessArgs, Dir: cfg.GardenHealthcheckProcessDir, Env: cfg.GardenHealthcheckProcessEnv,
		User: cfg.GardenHealthcheckProcessUser}, Garden: g, SetHealth: exec.SetHealthy, Logger: logger.Session("garden-health")}

	presence := rep.NewCellPresence(cfg.CellID, repAddress, repURL, cfg.Zone, total, cfg.SupportedProviders,
		cfg.PreloadedRootFS.Names(), cfg.PlacementTags, cfg.OptionalPlacementTags)
	if err := presence.Validate(); err != nil {
		return nil, fmt.Errorf("cell presence: %w", err)
	}
	locketConn, err := locketclient.New(context.Background(), cfg.LocketConfig)
	if err != nil {
		return nil, err
	}
	presenceRunner := locketclient.NewPresenceRunner(logger, locketConn, &locketmodels.Resource{
		Key: cfg.CellID, Owner: uuid.NewString(), Value: presence.JSON(), TypeCode: locketmodels.TypeCode_PRESENCE, Type: "presence"},
		int64(cfg.LockTTL.D()/time.Second), nil, cfg.LockRetryInterval.D())

	members := []daemon.Member{
		{Name: "executor", Runner: ctxRunner(func(ctx context.Context) error { exec.Run(ctx); return nil })},
		{Name: "garden-health", Runner: ctxRunner(func(ctx context.Context) error { health.Run(ctx); return nil })},
		{Name: "harmonizer", Runner: ctxRunner(func(ctx context.Context) error { harm.Run(ctx); return nil })},
		{Name: "server", Runner: serve(cfg.ListenAddrSecurable, serverTLS, srv.NetworkHandler(), logger)},
		{Name: "admin-server", Runner: serve(cfg.ListenAddr, serverTLS, srv.AdminHandler(), logger)},
		{Name: "evacuator", Runner: ctxRunner(func(ctx context.Context) error {
			if evac.Run(ctx) {
				logger.Info("evacuated-exiting")
			}
			return nil
		})},
		{Name: "presence", Runner: presenceRunner},
	}
	members = append([]daemon.Member{
		{Name: "container-metrics", Runner: ctxRunner(func(ctx context.Context) error { reporter.Run(ctx); return nil })},
	}, members...)
	if agent != nil {
		// First in, last out: lines written while the others stop still go.
		members = append([]daemon.Member{
			{Name: "loggregator", Runner: ctxRunner(func(ctx context.Context) error { <-ctx.Done(); return agent.Close() })},
		}, members...)
	}
	return members, nil
}

// instanceIdentity is the instance identity credentials manager when
// instance_identity_cred_dir turns it on (nil otherwise); the cred dir is
// created if missing.
func instanceIdentity(cfg repconfig.Config, logger lager.Logger) (*credentials.Manager, error) {
	if !cfg.InstanceIdentityEnabled() {
		logger.Info("instance-identity-disabled")
		return nil, nil
	}
	if err := os.MkdirAll(cfg.InstanceIdentityCredDir, 0o755); err != nil {
		return nil, fmt.Errorf("instance identity cred dir: %w", err)
	}
	m, err := credentials.Load(cfg.InstanceIdentityCredDir, cfg.InstanceIdentityCAPath,
		cfg.InstanceIdentityPrivateKeyPath, cfg.InstanceIdentityValidityPeriod.D())
	if err != nil {
		return nil, err
	}
	logger.Info("instance-identity-enabled", lager.Data{"cred_dir": cfg.InstanceIdentityCredDir,
		"validity": cfg.InstanceIdentityValidityPeriod.D().String()})
	return m, nil
}

// appLogSink is where app log lines go: the loggregator agent when the
// loggregator block turns the v2 API on (then agent is also where
// container metrics go), app_log_dir when set, else the rep's own log.
func appLogSink(cfg repconfig.Config, logger lager.Logger) (applog.Sink, *applog.Loggregator, error) {
	var sinks applog.Tee
	var agent *applog.Loggregator
	if l, on := cfg.LoggregatorSettings(); on {
		var err error
		agent, err = applog.NewLoggregator(applog.LoggregatorConfig{Port: l.APIPort, CACertPath: l.CACertPath,
			CertPath: l.CertPath, KeyPath: l.KeyPath, JobOrigin: l.JobOrigin, BatchMaxSize: l.BatchMaxSize,
			BatchFlushInterval: l.BatchFlushInterval.D(), AppMetricExclusionFilter: l.AppMetricExclusionFilter})
		if err != nil {
			return nil, nil, err
		}
		logger.Info("loggregator-v2", lager.Data{"port": l.APIPort})
		sinks = append(sinks, agent)
	}
	if cfg.AppLogDir != "" {
		fileSink, err := applog.NewFileSink(cfg.AppLogDir)
		if err != nil {
			return nil, nil, err
		}
		sinks = append(sinks, fileSink)
	}
	switch len(sinks) {
	case 0:
		return applog.LagerSink{Logger: logger.Session("app")}, nil, nil
	case 1:
		return sinks[0], agent, nil
	}
	return sinks, agent, nil
}

func bbsTLSConfig(cfg repconfig.Config) (*tls.Config, error) {
	if !strings.HasPrefix(cfg.BBSAddress, "https://") {
		return nil, nil
	}
	ca, cert, key := cfg.BBSCACertFile, cfg.BBSClientCertFile, cfg.BBSClientKeyFile
	if ca == "" {
		ca = cfg.CaCertFile
	}
	if cert == "" {
		cert, key = cfg.ServerCertAndKey()
	}
	return tlsconf.Client(cert, key, ca, false)
}

func waitForGarden(g garden.Client, logger lager.Logger) error {
	deadline := time.Now().Add(time.Minute)
	for {
		err := g.Ping()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("garden did not answer ping: %w", err)
		}
		logger.Info("waiting-for-garden", lager.Data{"error": err.Error()})
		time.Sleep(time.Second)
	}
}

// capacity is the executor's total resources: configured or garden's
// ("auto"; disk minus the cache and the overhead), and Garden's container
// limit minus one kept for the health check.
func capacity(cfg repconfig.Config, g garden.Client) (executor.ExecutorResources, error) {
	c, err := g.Capacity()
	if err != nil {
		return executor.ExecutorResources{}, fmt.Errorf("garden capacity: %w", err)
	}
	mem, _ := repconfig.ParseCapacity("memory_mb", cfg.MemoryMB)
	disk, _ := repconfig.ParseCapacity("disk_mb", cfg.DiskMB)
	total := executor.ExecutorResources{Containers: int(c.MaxContainers) - 1}
	if mem != nil {
		total.MemoryMB = *mem
	} else {
		total.MemoryMB = int(c.MemoryInBytes >> 20)
	}
	if disk != nil {
		total.DiskMB = *disk
	} else {
		total.DiskMB = int(c.DiskInBytes>>20) - int(cfg.MaxCacheSizeInBytes>>20) - cfg.AutoDiskOverheadMB
	}
	if total.MemoryMB <= 0 || total.DiskMB < 0 || total.Containers <= 0 {
		return total, errors.New("garden reports no usable capacity (memory, disk after the cache, or containers)")
	}
	return total, nil
}

// serve runs an HTTPS server with mutual TLS; it is ready once listening.
func serve(addr string, tlsCfg *tls.Config, h http.Handler, logger lager.Logger) ifrit.Runner {
	return ifrit.RunFunc(func(signals <-chan os.Signal, ready chan<- struct{}) error {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		s := &http.Server{Handler: h, TLSConfig: tlsCfg, ReadHeaderTimeout: 30 * time.Second}
		errc := make(chan error, 1)
		go func() { errc <- s.Serve(tls.NewListener(ln, tlsCfg)) }()
		logger.Info("listening", lager.Data{"address": ln.Addr().String()})
		close(ready)
		select {
		case <-signals:
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return s.Shutdown(ctx)
		case err := <-errc:
			return err
		}
	})
}
