// Command devdb runs an embedded FerretDB (MongoDB wire protocol) for
// development and tests of mod_moisinno.
//
// Server mode (default):
//
//	devdb [--listen-addr 127.0.0.1:27018] [--backend sqlite|postgresql]
//	      [--sqlite-dir var/devdb] [--postgresql-url URL]
//	      [--log FILE] [--pid-file FILE]
//
// Check mode: "devdb --ping ADDR" sends a MongoDB ping to ADDR (host:port or
// a mongodb:// URI) and exits 0 if it answers {ok: 1}, 1 otherwise.
//
// The server stops cleanly (exit status 0) on SIGTERM or SIGINT.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

func main() {
	os.Exit(run())
}

func run() int {
	listenAddr := flag.String("listen-addr", "127.0.0.1:27018", "TCP address to listen on")
	backend := flag.String("backend", "sqlite", "storage backend: sqlite or postgresql")
	sqliteDir := flag.String("sqlite-dir", "var/devdb", "directory of the SQLite databases (sqlite backend)")
	pgURL := flag.String("postgresql-url", "", "PostgreSQL URL, e.g. postgres://user@127.0.0.1:5432/ferretdb (postgresql backend)")
	logFile := flag.String("log", "", "log file (default: standard error)")
	pidFile := flag.String("pid-file", "", "write the process id to this file while running")
	logLevel := flag.String("log-level", "info", "log level: debug, info, warn or error")
	ping := flag.String("ping", "", "check mode: ping the MongoDB server at this address and exit")
	pingTimeout := flag.Duration("ping-timeout", 2*time.Second, "check mode: time allowed for the ping")
	flag.Parse()

	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "devdb: unexpected argument %q\n", flag.Arg(0))
		return 2
	}

	if *ping != "" {
		return doPing(*ping, *pingTimeout)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "devdb: bad --log-level %q\n", *logLevel)
		return 2
	}

	var out io.Writer = os.Stderr
	if *logFile != "" {
		if dir := filepath.Dir(*logFile); dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				fmt.Fprintf(os.Stderr, "devdb: %v\n", err)
				return 1
			}
		}
		f, err := os.OpenFile(*logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(os.Stderr, "devdb: %v\n", err)
			return 1
		}
		defer f.Close()
		out = f
	}
	logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(logger)

	cfg := &ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: *listenAddr},
		Logger:   logger,
		Handler:  *backend,
	}

	switch *backend {
	case "sqlite":
		dir, err := filepath.Abs(*sqliteDir)
		if err == nil {
			err = os.MkdirAll(dir, 0o755)
		}
		if err != nil {
			logger.Error("devdb: cannot create the SQLite directory", "dir", *sqliteDir, "error", err)
			return 1
		}
		// FerretDB wants a directory URI ending with a slash.
		cfg.SQLiteURL = "file:" + dir + "/"
	case "postgresql":
		if *pgURL == "" {
			logger.Error("devdb: --postgresql-url is required with --backend postgresql")
			return 2
		}
		cfg.PostgreSQLURL = *pgURL
	default:
		logger.Error("devdb: unknown backend (sqlite or postgresql)", "backend", *backend)
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	f, err := ferretdb.New(cfg)
	if err != nil {
		logger.Error("devdb: cannot start FerretDB", "error", err)
		return 1
	}

	if *pidFile != "" {
		if err := writePidFile(*pidFile); err != nil {
			logger.Error("devdb: cannot write the pid file", "file", *pidFile, "error", err)
			return 1
		}
		defer os.Remove(*pidFile)
	}

	logger.Info("devdb: FerretDB starting", "listen", *listenAddr, "backend", *backend, "pid", os.Getpid())

	if err := f.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		logger.Error("devdb: FerretDB stopped with an error", "error", err)
		return 1
	}
	if ctx.Err() == nil {
		// Run returned without being asked to stop (e.g. the listener failed).
		logger.Error("devdb: FerretDB stopped unexpectedly")
		return 1
	}

	logger.Info("devdb: stopped")
	return 0
}

func writePidFile(path string) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func doPing(addr string, timeout time.Duration) int {
	uri := addr
	if !strings.HasPrefix(uri, "mongodb://") && !strings.HasPrefix(uri, "mongodb+srv://") {
		uri = "mongodb://" + addr + "/"
	}

	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	opts := options.Client().ApplyURI(uri).
		SetServerSelectionTimeout(timeout).
		SetConnectTimeout(timeout).
		SetDirect(true)
	client, err := mongo.Connect(ctx, opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "devdb: ping %s: %v\n", addr, err)
		return 1
	}
	defer func() {
		dctx, dcancel := context.WithTimeout(context.Background(), time.Second)
		defer dcancel()
		_ = client.Disconnect(dctx)
	}()

	var res bson.M
	if err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Decode(&res); err != nil {
		fmt.Fprintf(os.Stderr, "devdb: ping %s: %v\n", addr, err)
		return 1
	}
	return 0
}
