package org.wbkg.browser;

import java.io.IOException;
import java.io.InputStream;
import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.core.Response;

/**
 * The wbkg Neo4j Browser guide and stylesheet, served by the Neo4j server itself (an unmanaged extension
 * mounted at /wbkg): the Browser fetches them from its own origin, so they are there whenever the server is,
 * with no second process and no cross-origin request. Only the two files packed into this jar are served.
 */
@Path("/")
public class WbkgBrowser {
    @GET
    @Path("{name}")
    public Response file(@PathParam("name") String name) throws IOException {
        String type;
        if ("guide.html".equals(name)) {
            type = "text/html; charset=utf-8";
        } else if ("style.grass".equals(name)) {
            type = "text/plain; charset=utf-8";
        } else {
            return Response.status(Response.Status.NOT_FOUND).build();
        }
        try (InputStream in = WbkgBrowser.class.getResourceAsStream("/wbkg-browser/" + name)) {
            if (in == null) {
                return Response.status(Response.Status.NOT_FOUND).build();
            }
            return Response.ok(in.readAllBytes(), type).header("Cache-Control", "no-cache").build();
        }
    }
}
