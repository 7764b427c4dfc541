"""The value lists a portal offers (民族, 政治面貌, 转入省, 转出原因, 区县, 业务, states), served from where they are kept."""
