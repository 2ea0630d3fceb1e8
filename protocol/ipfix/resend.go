package ipfix

import (
	"fmt"
	"slices"

	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

// ResendAll writes again what a collector that joins the stream late
// needs to read what follows, as export over UDP must from time to time
// (RFC 7011 §8.4): first the RFC 5610 type records sent so far
// ([Encoder.AddElementTypes], [Encoder.DescribeEnterpriseElements]) and
// the RFC 6759 records that named applications ([Encoder.AddAppNames],
// [EncoderConfig.NameApps]), each after its options template, then every
// other template declared so far. Elements and applications keep the
// descriptions and names they were last given.
//
// The pending message is emitted first, so its records go out before
// what is sent again. The last message begun by ResendAll stays pending:
// records added next join it, and [Encoder.Flush] sends it at once. The
// records sent again count in the sequence number like any other. An
// error comes from emitting a message; ResendAll may then be called
// again.
func (e *Encoder) ResendAll() error {
	if err := e.Flush(); err != nil {
		return err
	}
	e.resend = false
	for _, t := range e.all {
		t.announced = false
	}
	for _, el := range e.described {
		if err := e.addElementType(el); err != nil {
			return err
		}
	}
	for _, app := range e.names {
		if err := e.addAppName(app); err != nil {
			return err
		}
	}
	for _, t := range e.all {
		if t.announced {
			continue
		}
		if err := e.announce(t); err != nil {
			return fmt.Errorf("template %d: %w", t.id, err)
		}
	}
	return nil
}

// rememberName keeps the name given to an applicationId, for ResendAll.
func (e *Encoder) rememberName(app flow.App) {
	if e.named == nil {
		e.named = map[uint32]bool{}
	}
	a := flow.App{ID: app.ID, Name: app.Name}
	if !e.named[app.ID] {
		e.named[app.ID] = true
		e.names = append(e.names, a)
		return
	}
	i := slices.IndexFunc(e.names, func(n flow.App) bool { return n.ID == app.ID })
	e.names[i] = a
}

// rememberType keeps the type record sent for an element, for ResendAll.
func (e *Encoder) rememberType(el Element) {
	i := slices.IndexFunc(e.described, func(d Element) bool { return d.IE == el.IE })
	if i < 0 {
		e.described = append(e.described, el)
		return
	}
	e.described[i] = el
}

// isDescribed reports whether a type record of ie was sent.
func (e *Encoder) isDescribed(ie IE) bool {
	return slices.ContainsFunc(e.described, func(el Element) bool { return el.IE == ie })
}
