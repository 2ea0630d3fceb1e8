// Package logging builds the zap loggers of ipfixweb and routes
// protoactor-go's slog output into them.
package logging

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"
	"go.uber.org/zap/exp/zapslog"
	"go.uber.org/zap/zapcore"
	"gopkg.in/natefinch/lumberjack.v2"
)

// Console returns a human-readable logger on stderr at level, for the
// command-line jobs.
func Console(level zapcore.Level) *zap.Logger {
	ec := zap.NewDevelopmentEncoderConfig()
	ec.EncodeLevel = zapcore.CapitalColorLevelEncoder
	if !isTerminal(os.Stderr) {
		ec.EncodeLevel = zapcore.CapitalLevelEncoder
	}
	core := zapcore.NewCore(zapcore.NewConsoleEncoder(ec), zapcore.Lock(os.Stderr), level)
	return zap.New(core)
}

// ActorLogger returns a protoactor logger factory that writes into log,
// keeping only warnings and errors: protoactor reports routine events such
// as supervised restarts at Info.
func ActorLogger(log *zap.Logger) actor.ConfigOption {
	return actor.WithLoggerFactory(func(sys *actor.ActorSystem) *slog.Logger {
		core, err := zapcore.NewIncreaseLevelCore(log.Core(), zapcore.WarnLevel)
		if err != nil {
			// log is already above Warn: keep it as it is.
			core = log.Core()
		}
		h := zapslog.NewHandler(core, zapslog.WithName("protoactor"),
			zapslog.AddStacktraceAt(slog.LevelError+1))
		return slog.New(h)
	})
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Production returns the service's JSON logger at level: ISO 8601 times,
// sampling of repeated lines, and stack traces at Error. With dir set it
// writes to dir/ipfixweb.log, rotated at 100 MB and kept for 14 days;
// otherwise to stderr.
func Production(level zapcore.Level, dir string) (*zap.Logger, error) {
	ec := zap.NewProductionEncoderConfig()
	ec.EncodeTime = zapcore.ISO8601TimeEncoder
	ec.TimeKey = "time"
	var sink zapcore.WriteSyncer = zapcore.Lock(os.Stderr)
	if dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("log directory: %w", err)
		}
		sink = zapcore.AddSync(&lumberjack.Logger{Filename: filepath.Join(dir, "ipfixweb.log"),
			MaxSize: 100, MaxBackups: 10, MaxAge: 14, Compress: true})
	}
	core := zapcore.NewCore(zapcore.NewJSONEncoder(ec), sink, level)
	core = zapcore.NewSamplerWithOptions(core, time.Second, 100, 100)
	return zap.New(core, zap.AddCaller(), zap.AddStacktrace(zapcore.ErrorLevel)), nil
}
