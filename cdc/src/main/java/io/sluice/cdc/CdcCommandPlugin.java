package io.sluice.cdc;

import io.sluice.ops.CommandPlugin;

/**
 * Adds {@code sluice demo cdc} to the command line when this module is on the class path.
 */
public final class CdcCommandPlugin implements CommandPlugin
{
    /**
     * Creates the plugin; {@link java.util.ServiceLoader} calls this.
     */
    public CdcCommandPlugin()
    {
    }

    @Override
    public String parent()
    {
        return "demo";
    }

    @Override
    public Object command()
    {
        return new CdcDemoCommand();
    }
}
