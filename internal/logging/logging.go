// Package logging builds the zap loggers of ipfixweb and routes
// protoactor-go's slog output into them.
package logging

import (
	"log/slog"
	"os"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"
	"go.uber.org/zap/exp/zapslog"
	"go.uber.org/zap/zapcore"
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
