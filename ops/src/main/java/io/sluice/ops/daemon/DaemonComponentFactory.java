package io.sluice.ops.daemon;

/**
 * Creates {@link DaemonComponent}s of one {@code type} from an {@code ingress} or {@code egress}
 * item of the daemon configuration. Found with {@link java.util.ServiceLoader}: a transport lists
 * its factory in {@code META-INF/services/io.sluice.ops.daemon.DaemonComponentFactory}.
 *
 * <pre>{@code
 * ingress:
 *   - type: aeron                 # selects the factory whose type() is "aeron"
 *     channel: aeron:udp?endpoint=127.0.0.1:40123
 *     topic: trades
 * }</pre>
 */
public interface DaemonComponentFactory
{
    /**
     * The {@code type} this factory serves, e.g. {@code aeron}.
     *
     * @return the type name, lower case.
     */
    String type();

    /**
     * Validates one configuration item and creates the (unstarted) component. Report every problem
     * through {@link ConfigSection#error} (or let the typed getters do it) rather than throwing; read
     * every key you accept, because keys left unread are reported as unknown. Bind addresses must
     * default to loopback.
     *
     * @param role     whether the item is under {@code ingress} or {@code egress}.
     * @param settings of the item ({@code type} already read).
     * @return the component, or null if a setting was invalid (the errors say why).
     */
    DaemonComponent create(DaemonComponent.Role role, ConfigSection settings);
}
